// The security headers of every response: the app shell, static files, the service worker, /health and /api.
// Sessions live in IndexedDB, so a script injected into the page could take them: the CSP allows only
// the app's own files. The built client has no inline script or style (Preact sets `style` props through
// the CSSOM, which CSP does not govern), so neither 'unsafe-inline' nor a nonce is needed. docs/https.md.
import { secureHeaders } from 'hono/secure-headers';

const SELF = "'self'";
const NONE = "'none'";

export function securityHeaders(opts: { hsts: boolean }) {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: [SELF],
      scriptSrc: [SELF],
      styleSrc: [SELF],
      imgSrc: [SELF, 'data:', 'blob:'],
      connectSrc: [SELF],
      workerSrc: [SELF],
      manifestSrc: [SELF],
      objectSrc: [NONE],
      baseUri: [SELF],
      formAction: [SELF],
      frameAncestors: [NONE],
    },
    xContentTypeOptions: 'nosniff',
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    // The operator portal scans QR codes with the camera; nothing asks for the rest.
    permissionsPolicy: { camera: ['self'], microphone: [], geolocation: [], payment: [], usb: [], serial: [], hid: [], bluetooth: [], midi: [] },
    // Only on HTTPS (a browser ignores it over HTTP anyway); no includeSubDomains, which could break other plant hosts.
    strictTransportSecurity: opts.hsts ? 'max-age=31536000' : false,
  });
}
