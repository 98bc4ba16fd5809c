import type { ReactNode } from 'react';

/** A small outline icon for the device class; decorative (the text beside it says the same). */
export function DeviceIcon({ type }: { type: string }) {
  let shape: ReactNode;
  switch (type) {
    case 'Mobile':
      shape = (
        <>
          <rect x="5" y="1.5" width="6" height="13" rx="1.2" />
          <path d="M7.2 12.5h1.6" />
        </>
      );
      break;
    case 'Tablet':
      shape = (
        <>
          <rect x="3" y="1.5" width="10" height="13" rx="1.2" />
          <path d="M7.2 12.5h1.6" />
        </>
      );
      break;
    case 'Desktop':
      shape = (
        <>
          <rect x="1.5" y="2.5" width="13" height="8.5" rx="1" />
          <path d="M6 14h4M8 11v3" />
        </>
      );
      break;
    default:
      shape = (
        <>
          <circle cx="8" cy="8" r="6" />
          <path d="M6.5 6.2a1.6 1.6 0 1 1 2.2 1.5c-.5.2-.7.6-.7 1.1M8 11v.3" />
        </>
      );
  }
  return (
    <svg className="device-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {shape}
    </svg>
  );
}
