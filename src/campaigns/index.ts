export { apiRouter, pageRouter } from './routes';
