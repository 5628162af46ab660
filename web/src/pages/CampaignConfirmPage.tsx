// The pages links in campaign e-mails open: confirming a petition signature, confirming a letter's sender
// (an e-mail letter is sent then), and answering "did the official reply?". Each waits for a click (a
// link scanner opening the page confirms nothing) and sends the token from the address.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { api } from '../api/client.ts';
import { POSITIONS, type Position } from '../campaigns/api.ts';
import '../campaigns/campaigns.css';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import { usePageTitle } from '../lib/page.ts';

export type ConfirmKind = 'signature' | 'letter' | 'reply';

const tokenFromAddress = () => new URLSearchParams(window.location.search).get('token') ?? '';

function SimpleConfirm({ kind, token }: { kind: 'signature' | 'letter'; token: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      if (kind === 'signature') {
        const r = await api.post<{ alreadyConfirmed: boolean; signatureCount: number }>(
          '/petition-confirmations',
          {
            token,
          },
        );
        setResult(
          `${r.alreadyConfirmed ? t('campaigns.confirm.signatureAlready') : t('campaigns.confirm.signatureDone')} ${tn('campaigns.petition.count', r.signatureCount)}`,
        );
      } else {
        const r = await api.post<{
          alreadyConfirmed: boolean;
          official: string;
          route: string;
          replyQuestionDue: string;
        }>('/letter-confirmations', { token });
        setResult(
          r.route === 'email'
            ? t('campaigns.confirm.letterSent', { name: r.official })
            : t('campaigns.confirm.letterFollowUp', { name: r.official }),
        );
      }
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setBusy(false);
    }
  };
  if (result)
    return (
      <p className="notice notice-ok" role="status">
        {result}
      </p>
    );
  return (
    <>
      <p>
        {kind === 'signature' ? t('campaigns.confirm.signatureIntro') : t('campaigns.confirm.letterIntro')}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="button" className="button" onClick={confirm} disabled={busy}>
        {kind === 'signature' ? t('campaigns.confirm.signatureButton') : t('campaigns.confirm.letterButton')}
      </button>
    </>
  );
}

interface Question {
  campaign: string;
  campaignTitle: string;
  official: string;
  writtenOn: string;
  answer: boolean | null;
}

function ReplyForm({ token }: { token: string }) {
  const id = useId();
  const [question, setQuestion] = useState<Question | null>(null);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [replied, setReplied] = useState<'yes' | 'no' | ''>('');
  const [stated, setStated] = useState<Position | ''>('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    api
      .post<Question>('/letter-replies/question', { token })
      .then(setQuestion, (err: Error) => setLoadError(err));
  }, [token]);
  if (loadError) return <ErrorState error={loadError} />;
  if (!question) return <Loading />;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!replied) {
      setError(t('campaigns.reply.answerRequired'));
      return;
    }
    try {
      await api.post('/letter-replies', {
        token,
        replied: replied === 'yes',
        ...(replied === 'yes' && stated ? { statedPosition: stated } : {}),
      });
      setDone(true);
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
    }
  };
  if (done)
    return (
      <p className="notice notice-ok" role="status">
        {t('campaigns.reply.thanks')}
      </p>
    );
  return (
    <form className="form" onSubmit={submit} noValidate>
      <p>
        {t('campaigns.reply.intro', {
          name: question.official,
          title: question.campaignTitle,
          date: question.writtenOn,
        })}
      </p>
      {question.answer !== null && (
        <p className="muted">
          {question.answer ? t('campaigns.reply.earlierYes') : t('campaigns.reply.earlierNo')}
        </p>
      )}
      <fieldset className="fieldset">
        <legend>{t('campaigns.reply.question', { name: question.official })}</legend>
        <label className="radio-row">
          <input
            type="radio"
            name={`${id}-r`}
            checked={replied === 'yes'}
            onChange={() => setReplied('yes')}
          />{' '}
          {t('campaigns.reply.yes')}
        </label>
        <label className="radio-row">
          <input type="radio" name={`${id}-r`} checked={replied === 'no'} onChange={() => setReplied('no')} />{' '}
          {t('campaigns.reply.no')}
        </label>
      </fieldset>
      {replied === 'yes' && (
        <div className="field">
          <label htmlFor={`${id}-stated`}>{t('campaigns.reply.stated')}</label>
          <select
            id={`${id}-stated`}
            value={stated}
            onChange={(e) => setStated(e.target.value as Position | '')}
          >
            <option value="">{t('campaigns.call.statedNone')}</option>
            {POSITIONS.map((p) => (
              <option key={p} value={p}>
                {t(`campaigns.position.${p}`)}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button">
        {t('campaigns.reply.send')}
      </button>
    </form>
  );
}

export default function CampaignConfirmPage({ kind }: { kind: ConfirmKind }) {
  const title = t(`campaigns.confirm.title.${kind}`);
  usePageTitle(title);
  const token = tokenFromAddress();
  return (
    <div className="page page-narrow">
      <PageHeading>{title}</PageHeading>
      {!token ? (
        <p className="notice notice-warning">{t('campaigns.confirm.noToken')}</p>
      ) : kind === 'reply' ? (
        <ReplyForm token={token} />
      ) : (
        <SimpleConfirm kind={kind} token={token} />
      )}
    </div>
  );
}
