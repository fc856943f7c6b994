// Signing (chữ ký số): the public entry point. Other features, the seed, the bench and the tests import only from here.

// Certificates and images of organisations and signers (request context first), for the seed and the settings page.
export { uploadCertificate, getCertificate, uploadImage } from './service';
export type { Owner, CertificateView, ImageView } from './service';

// The workflow's reads (Deps: no access rule, letters decides who signs): the signer and the image of an owner.
export { signerOf, imageOf } from './service';
export type { OwnerSigner, OwnerImage } from './service';

// The pluggable signer: a USB token or a remote service registers its kind; a key in this process signs directly.
export { registerSignerKind, KeySigner } from './signer';
export { readPkcs12 } from './pkcs12';
export type { Signer, SignerFactory, SignerSource } from './signer';

// PAdES: a signature as an incremental update, other updates (the number and date stamped at issue), verification.
export { signPdf } from './pades';
export type { Appearance, SignOptions } from './pades';
export { openRevision, appendRevision } from './revision';
export type { OpenRevision } from './revision';
export { verifyPdf } from './verify';
export type { VerifyReport, SignatureReport, TrustStore } from './verify';

// The trust list and the throwaway demo CA with its images (demo seed, tests, bench).
export { addTrustedRoot } from './trust';
export { DemoCa, rsaKey, type KeySource } from './demo-ca';
export { encodePng, demoSignaturePng, demoSealPng } from './images';

// HTTP: the JSON API (/api/v1) and the pages (/signing, the public /verify).
export { apiRouter, pageRouter } from './routes';
