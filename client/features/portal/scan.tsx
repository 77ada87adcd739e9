// Opening a machine on the portal: its code typed in, or its QR label read by the camera through
// BarcodeDetector where the browser has one (Chrome on Android does), else through the ZXing
// WebAssembly polyfill, loaded only when a scan starts and precached for offline use (decision 0021).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Machine } from '../../../sync/tables';
import { navigate } from '../../ui/router';

interface DetectedBarcode { rawValue: string }
interface BarcodeDetectorLike { detect(source: CanvasImageSource): Promise<DetectedBarcode[]> }
type BarcodeDetectorCtor = new (o?: { formats: 'qr_code'[] }) => BarcodeDetectorLike;

/** Whether the device has a camera API at all: the detector comes native or from the polyfill. */
function canUseCamera(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/** The browser's own BarcodeDetector, or the polyfill's (its .wasm served from our own assets, never a CDN). */
async function detectorCtor(): Promise<BarcodeDetectorCtor> {
  const native = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor & { getSupportedFormats?: () => Promise<string[]> } }).BarcodeDetector;
  const formats: string[] = native ? ((await native.getSupportedFormats?.().catch(() => [])) ?? []) : [];
  if (native && formats.includes('qr_code')) return native;
  const [{ BarcodeDetector, prepareZXingModule }, { default: wasmUrl }] = await Promise.all([
    import('barcode-detector/ponyfill'),
    import('zxing-wasm/reader/zxing_reader.wasm?url'),
  ]);
  prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } });
  return BarcodeDetector;
}

/** A label holds the code itself or a link ending in it (`…/portal/machine/PRS-01`). */
export function codeFromScan(raw: string): string {
  const text = raw.trim();
  const last = text.split(/[/:]/).filter(Boolean).pop() ?? text;
  return decodeURIComponent(last).trim();
}

/** `to`: where a found machine opens (the portal's machine view by default; the machine page for maintenance). */
export function MachineOpener({ machines, to }: { machines: Map<string, Machine>; to?: (m: Machine) => string }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [scanning, setScanning] = useState(false);
  const canScan = canUseCamera();

  function open(raw: string) {
    const c = codeFromScan(raw);
    const m = [...machines.values()].find((x) => x.code.toLowerCase() === c.toLowerCase());
    if (!m) {
      setCode(c);
      return setError(`No machine has the code “${c}”. Check the label, or type the code printed under it.`);
    }
    setError(null);
    navigate(to ? to(m) : `/portal/machine/${encodeURIComponent(m.code)}`);
  }

  return (
    <section class="card opener" aria-labelledby="opener-h">
      <h2 id="opener-h">Open a machine</h2>
      <form class="opener-row" onSubmit={(e) => { e.preventDefault(); if (code.trim()) open(code); }}>
        <label class="visually-hidden" for="machine-code">Machine code</label>
        <input id="machine-code" class="input" placeholder="Code, e.g. PRS-01" autoCapitalize="characters" autoComplete="off" spellcheck={false}
          value={code} aria-invalid={!!error} onInput={(e) => setCode(e.currentTarget.value)} />
        <button class="btn dark" type="submit">Open</button>
        {canScan && <button class="btn primary" type="button" onClick={() => setScanning(true)}>Scan QR</button>}
      </form>
      {error && <p class="field-error" role="alert">{error}</p>}
      {scanning && <Scanner onCode={(c) => { setScanning(false); open(c); }} onClose={() => setScanning(false)} />}
    </section>
  );
}

function Scanner({ onCode, onClose }: { onCode: (raw: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let stopped = false;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        if (stopped) return;
        const v = video.current!;
        v.srcObject = stream;
        await v.play();
        const Ctor = await detectorCtor();
        if (stopped) return;
        const detector = new Ctor({ formats: ['qr_code'] });
        const tick = async () => {
          if (stopped) return;
          try {
            const found = await detector.detect(v);
            if (found[0]?.rawValue) return onCode(found[0].rawValue);
          } catch {
            // A frame that cannot be read yet (the camera is still starting): try the next one.
          }
          timer = window.setTimeout(tick, 250);
        };
        void tick();
      } catch (err) {
        setProblem(err instanceof DOMException && err.name === 'NotAllowedError'
          ? 'The camera is blocked for this app. Allow it in the browser settings, or type the machine code.'
          : 'The camera could not be started. Type the machine code instead.');
      }
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return (
    <div class="scanner" role="dialog" aria-label="Scan a machine's QR code">
      {problem ? <p class="form-error">{problem}</p> : <video ref={video} muted playsInline aria-label="Camera view" />}
      <p class="small muted">Point the camera at the QR label on the machine.</p>
      <button class="btn wide" type="button" onClick={onClose}>Stop scanning</button>
    </div>
  );
}
