/**
 * The signing feature's one public entry point: certificates and images of organisations and signers, the
 * pluggable signer, PAdES signing as incremental updates, and verification. Other features import only this.
 */
export { apiRouter, pageRouter } from './routes';
export { uploadCertificate, getCertificate, uploadImage, signerOf, imageOf, verifyUpload } from './service';
export type { Ctx as SigningCtx, Owner, CertificateView, ImageView, OwnerSigner, OwnerImage } from './service';
export { registerSignerKind, KeySigner } from './signer';
export type { Signer, SignerFactory, SignerSource } from './signer';
export { signPdf, pdfText, pdfDate } from './pades';
export type { Appearance, SignOptions } from './pades';
export { openRevision, appendRevision } from './revision';
export type { OpenRevision } from './revision';
export { verifyPdf } from './verify';
export type { VerifyReport, SignatureReport, TrustStore } from './verify';
export { trustStore, trustDir, addTrustedRoot } from './trust';
export { DemoCa } from './demo-ca';
export { encodePng, checkImage, demoSignaturePng, demoSealPng } from './images';
export { readPkcs12 } from './pkcs12';
export { certificateInfo } from './x509';
