import request from 'supertest';
import type { Express } from 'express';

/** A signed-in page session (cookie + CSRF token), as a person in a browser would have. */
export interface PageSession {
  agent: ReturnType<typeof request.agent>;
  csrf: string;
  /** Reads the CSRF token from the last page fetched. */
  refresh(path?: string): Promise<string>;
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1];
}

export async function signIn(app: Express, email: string, password: string): Promise<PageSession> {
  const agent = request.agent(app);
  const loginPage = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ email, password, _csrf: csrfFrom(loginPage.text), next: '/' });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const session: PageSession = {
    agent,
    csrf: '',
    refresh: async (path = '/') => {
      session.csrf = csrfFrom((await agent.get(path)).text);
      return session.csrf;
    },
  };
  await session.refresh('/');
  return session;
}
