import { Fragment } from 'react';
import type { Stream, StreamTestResult } from '../../api/types.ts';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import {
  FORMAT_LABELS,
  isRetrying,
  lagLabel,
  STATE_LABELS,
  testResultLabel,
  urlPieces,
} from './stream-labels.ts';

/** A row's test: running, or what the receiver answered. */
export type TestState = { running: true } | { running: false; result: StreamTestResult };

interface StreamsTableProps {
  streams: Stream[];
  now: number;
  tests: Readonly<Record<string, TestState>>;
  /** A resume or delete under way: its buttons wait. */
  busyId: string | null;
  onTest: (stream: Stream) => void;
  onResume: (stream: Stream) => void;
  onDelete: (stream: Stream) => void;
}

export function StreamsTable({ streams, now, tests, busyId, onTest, onResume, onDelete }: StreamsTableProps) {
  return (
    <div className="table-wrap">
      <table className="data-table streams-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Format</th>
            <th scope="col">URL</th>
            <th scope="col">State</th>
            <th scope="col">Lag</th>
            <th scope="col">Last success</th>
            <th scope="col">Last error</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {streams.map((stream) => {
            const test = tests[stream.id];
            return (
              <tr key={stream.id} data-stream={stream.name}>
                <td data-label="Name" className="stream-name">
                  {stream.name}
                </td>
                <td data-label="Format" className="nowrap">
                  {FORMAT_LABELS[stream.format]}
                </td>
                <td data-label="URL" className="stream-url">
                  <code>
                    {urlPieces(stream.url).map((piece, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one fixed string
                      <Fragment key={i}>
                        {i > 0 && <wbr />}
                        {piece}
                      </Fragment>
                    ))}
                  </code>
                </td>
                <td data-label="State">
                  <div>
                    <span className={`badge badge-stream-${stream.state}`}>{STATE_LABELS[stream.state]}</span>
                    {isRetrying(stream) && <span className="stream-retrying">retrying</span>}
                  </div>
                </td>
                <td data-label="Lag" className={`nowrap${stream.lag > 0 ? ' stream-behind' : ''}`}>
                  {lagLabel(stream.lag)}
                </td>
                <td data-label="Last success">
                  {stream.lastSuccessAt ? (
                    <RelativeTime iso={stream.lastSuccessAt} now={now} />
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td data-label="Last error" className="stream-error">
                  {stream.lastError && stream.lastErrorAt ? (
                    <div>
                      <RelativeTime iso={stream.lastErrorAt} now={now} />
                      <span className="stream-error-text">{stream.lastError}</span>
                    </div>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td className="actions-cell">
                  {/* One grid item: the narrow screens' card puts a cell's children in columns. */}
                  <div className="stream-actions">
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        disabled={test?.running === true}
                        onClick={() => onTest(stream)}
                      >
                        {test?.running ? 'Sending…' : 'Send test'}
                      </button>
                      {stream.state === 'failed' && (
                        <button
                          type="button"
                          className="button button-small button-primary"
                          disabled={busyId === stream.id}
                          onClick={() => onResume(stream)}
                        >
                          Resume
                        </button>
                      )}
                      <button
                        type="button"
                        className="button button-small button-danger-quiet"
                        disabled={busyId === stream.id}
                        onClick={() => onDelete(stream)}
                      >
                        Delete
                      </button>
                    </div>
                    {/* Always there, so a screen reader hears the result when it arrives. */}
                    <output
                      className={`stream-test${test && !test.running ? (test.result.delivered ? ' stream-test-ok' : ' stream-test-bad') : ''}`}
                    >
                      {test && !test.running ? testResultLabel(test.result) : ''}
                    </output>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
