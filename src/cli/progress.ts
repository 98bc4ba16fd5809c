import cliProgress from 'cli-progress';

/** A progress bar on stderr (so stdout stays clean for data), quiet when stderr is no terminal. */
export function createProgressBar(label: string, total: number) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: false,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(total, 0, { rate: 0 });
  return {
    update(value: number) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(value, { rate: seconds > 0 ? Math.round(value / seconds) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
