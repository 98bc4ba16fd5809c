import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, Stream } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Modal } from '../../components/Modal.tsx';
import { useNow } from '../../lib/time.ts';
import { StreamForm } from './StreamForm.tsx';
import { StreamsTable, type TestState } from './StreamsTable.tsx';
import { STREAMS_POLL_MS, useStreams } from './use-streams.ts';

const message = (caught: unknown, fallback: string) =>
  caught instanceof ApiError ? caught.message : fallback;

/** Streams (admins): the org's activity log pushed to SIEMs, their delivery, a test, resume and delete. */
export function StreamsPage({ me }: { me: Me }) {
  const isAdmin = me.user.role === 'admin';
  const { streams, error: loadError, reload } = useStreams(isAdmin);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [busyId, setBusyId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Stream | null>(null);
  // Relative times move with the list's refresh.
  const now = useNow(STREAMS_POLL_MS);

  useEffect(() => {
    document.title = 'Streams · Vault Sessions';
  }, []);

  const test = useCallback(async (stream: Stream) => {
    setTests((old) => ({ ...old, [stream.id]: { running: true } }));
    try {
      const result = await api.testStream(stream.id);
      setTests((old) => ({ ...old, [stream.id]: { running: false, result } }));
    } catch (caught) {
      const failed = { delivered: false, error: message(caught, 'the test could not be sent') };
      setTests((old) => ({ ...old, [stream.id]: { running: false, result: failed } }));
    }
  }, []);

  const act = async (stream: Stream, run: () => Promise<unknown>, done: string, fallback: string) => {
    setBusyId(stream.id);
    setError(null);
    setNotice(null);
    try {
      await run();
      setNotice(done);
      reload();
      return true;
    } catch (caught) {
      setError(message(caught, fallback));
      return false;
    } finally {
      setBusyId(null);
    }
  };

  const resume = (stream: Stream) =>
    act(
      stream,
      () => api.resumeStream(stream.id),
      `${stream.name} delivers again from where it stopped.`,
      'The stream could not be resumed.',
    );

  const remove = async (stream: Stream) => {
    const ok = await act(
      stream,
      () => api.deleteStream(stream.id),
      `${stream.name} was deleted: nothing more is sent to it.`,
      'The stream could not be deleted.',
    );
    if (ok) setDeleting(null);
  };

  if (!isAdmin) {
    return (
      <div className="page">
        <h1>Streams</h1>
        <p>Only an admin of your organization can manage its activity streams.</p>
      </div>
    );
  }

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Streams</h1>
          <p className="muted">
            The activity log pushed to your SIEM as it is written: in chain order, signed, retried until the
            receiver takes it.
          </p>
        </div>
      </div>
      {error && <Alert tone="error">{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}

      {loadError && <Alert tone="error">{loadError}</Alert>}
      {streams === null && !loadError && <p className="placeholder">Loading streams…</p>}
      {streams?.length === 0 && <p className="muted">No streams yet.</p>}
      {streams && streams.length > 0 && (
        <StreamsTable
          streams={streams}
          now={now}
          tests={tests}
          busyId={busyId}
          onTest={test}
          onResume={resume}
          onDelete={setDeleting}
        />
      )}

      <StreamForm
        onCreated={(stream) => {
          setError(null);
          setNotice(`${stream.name} was created: it delivers every activity from now on.`);
          reload();
        }}
      />

      <Modal
        title="Delete this stream?"
        tone="danger"
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        actions={
          <>
            <button type="button" className="button" onClick={() => setDeleting(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={busyId !== null}
              onClick={() => deleting && remove(deleting)}
            >
              Delete stream
            </button>
          </>
        }
      >
        <p>
          <strong>{deleting?.name}</strong> stops at once: nothing more is sent to{' '}
          <code className="stream-url-inline">{deleting?.url}</code>. Its secret is gone; a new stream needs a
          new one.
        </p>
      </Modal>
    </div>
  );
}
