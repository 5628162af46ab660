// Writing to one official: the campaign's letter with merge fields filled, for the supporter to make their
// own; a warning when it is sent unchanged; then delivery by the official's route (e-mail on the
// supporter's behalf after they confirm, the official's contact form with the letter to copy, or a
// printable postal letter).
import { type FormEvent, useEffect, useId, useState } from 'react';
import { API_BASE, ApiError, api, query } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { errorMessage } from '../components/Status.tsx';
import { t, tn } from '../i18n/index.ts';
import type { ActionText, LetterCheck, LetterReceipt } from './api.ts';

export function WritePanel({
  campaign,
  action,
  place,
}: {
  campaign: string;
  action: ActionText;
  place: string;
}) {
  const id = useId();
  const official = action.official;
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [subject, setSubject] = useState(action.letterSubject);
  const [text, setText] = useState(action.letter);
  const [senderAddress, setSenderAddress] = useState('');
  const [touched, setTouched] = useState(false);
  const [warned, setWarned] = useState<LetterCheck | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<LetterReceipt | null>(null);
  const [pdf, setPdf] = useState<{ url: string; replaced: number } | null>(null);
  const [copied, setCopied] = useState(false);
  const route = action.delivery.kind;

  // The signature line follows the name typed, until the supporter edits the letter themselves.
  useEffect(() => {
    if (touched || !name.trim()) return;
    const path = `/campaigns/${encodeURIComponent(campaign)}/targets/${encodeURIComponent(official.id)}/action${query({ name: name.trim(), region: place })}`;
    const timer = setTimeout(() => {
      api.get<ActionText>(path).then(
        (a) => {
          setText(a.letter);
          setSubject(a.letterSubject);
        },
        () => undefined,
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [name, touched, campaign, official.id, place]);

  useEffect(() => () => (pdf ? URL.revokeObjectURL(pdf.url) : undefined), [pdf]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = t('campaigns.write.nameRequired');
    if (route === 'email' && !email.trim()) local.email = t('campaigns.write.emailRequired');
    if (!text.trim()) local.text = t('campaigns.write.textRequired');
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body = {
        official: official.id,
        subject: subject.trim() || action.letterSubject,
        text,
        name: name.trim(),
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(place ? { region: place } : {}),
      };
      if (!warned) {
        const check = await api.post<LetterCheck>(
          `/campaigns/${encodeURIComponent(campaign)}/letters/check`,
          {
            official: official.id,
            text,
            name: name.trim(),
            ...(place ? { region: place } : {}),
          },
        );
        if (check.unchanged) {
          // Shown once: sending again after the warning sends it as it is.
          setWarned(check);
          return;
        }
      }
      setReceipt(await api.post<LetterReceipt>(`/campaigns/${encodeURIComponent(campaign)}/letters`, body));
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors({ ...fields, form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const makePdf = async () => {
    setBusy(true);
    setErrors({});
    try {
      const res = await fetch(`${API_BASE}/campaigns/${encodeURIComponent(campaign)}/letters/pdf`, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'application/json', Accept: 'application/pdf' },
        body: JSON.stringify({
          official: official.id,
          subject: subject.trim() || action.letterSubject,
          text,
          name: name.trim(),
          ...(senderAddress.trim() ? { senderAddress: senderAddress.trim() } : {}),
        }),
      });
      if (!res.ok) throw new ApiError(res.status, null, `HTTP ${res.status}`);
      const blob = await res.blob();
      setPdf({
        url: URL.createObjectURL(blob),
        replaced: Number(res.headers.get('x-replaced-characters') ?? 0),
      });
    } catch (err) {
      setErrors({ form: err instanceof Error ? errorMessage(err) : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(`${subject}\n\n${text}`);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  if (receipt) {
    return (
      <section className="campaign-panel" aria-labelledby={`${id}-done`}>
        <h3 id={`${id}-done`}>{t('campaigns.write.doneTitle', { name: official.name })}</h3>
        {receipt.unchanged && <p className="notice notice-warning">{t('campaigns.write.sentUnchanged')}</p>}
        {route === 'email' && (
          <p className="notice notice-ok" role="status">
            {t('campaigns.write.emailConfirm', { email: email.trim() })}
          </p>
        )}
        {route === 'contact_form' && (
          <div className="notice notice-info" role="status">
            <p>{t('campaigns.write.formSteps')}</p>
            <p className="button-row">
              <button type="button" className="button" onClick={copy}>
                {t('campaigns.write.copy')}
              </button>
              <a
                className="button button-secondary"
                href={action.delivery.address}
                target="_blank"
                rel="noopener noreferrer"
              >
                {t('campaigns.write.openForm')}
              </a>
            </p>
            {copied && <p role="status">{t('campaigns.write.copied')}</p>}
          </div>
        )}
        {route === 'postal' && (
          <div className="notice notice-info" role="status">
            <p>{t('campaigns.write.postSteps')}</p>
            <pre className="campaign-address">{action.delivery.address}</pre>
          </div>
        )}
        {route !== 'email' && (
          <>
            <Field id={`${id}-final`} label={t('campaigns.write.yourLetter')}>
              {(p) => <textarea {...p} rows={10} readOnly value={`${subject}\n\n${text}`} />}
            </Field>
            {route === 'postal' && (
              <>
                <Field
                  id={`${id}-addr`}
                  label={t('campaigns.write.senderAddress')}
                  hint={t('campaigns.write.senderAddressHint')}
                >
                  {(p) => (
                    <textarea
                      {...p}
                      rows={3}
                      value={senderAddress}
                      onChange={(e) => setSenderAddress(e.target.value)}
                    />
                  )}
                </Field>
                <p className="button-row">
                  <button type="button" className="button" onClick={makePdf} disabled={busy}>
                    {busy ? t('campaigns.write.making') : t('campaigns.write.makePdf')}
                  </button>
                  {pdf && (
                    <a className="button button-secondary" href={pdf.url} download="letter.pdf">
                      {t('campaigns.write.downloadPdf')}
                    </a>
                  )}
                </p>
                {pdf && pdf.replaced > 0 && (
                  <p className="notice notice-warning">{tn('campaigns.write.pdfReplaced', pdf.replaced)}</p>
                )}
              </>
            )}
            {receipt.confirmationSent && <p>{t('campaigns.write.followUp', { email: email.trim() })}</p>}
          </>
        )}
        {errors.form && (
          <p className="field-error" role="alert">
            {errors.form}
          </p>
        )}
      </section>
    );
  }

  return (
    <form className="form campaign-panel" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('campaigns.write.title', { name: official.name })}</h3>
      <p className="muted">{t(`campaigns.route.${route}`)}</p>
      <Field id={`${id}-name`} label={t('campaigns.write.name')} error={errors.name}>
        {(p) => (
          <input
            {...p}
            type="text"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field
        id={`${id}-email`}
        label={route === 'email' ? t('campaigns.write.email') : t('campaigns.write.emailOptional')}
        hint={route === 'email' ? t('campaigns.write.emailHint') : t('campaigns.write.emailOptionalHint')}
        error={errors.email}
      >
        {(p) => (
          <input
            {...p}
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <Field id={`${id}-subject`} label={t('campaigns.write.subject')} error={errors.subject}>
        {(p) => <input {...p} type="text" value={subject} onChange={(e) => setSubject(e.target.value)} />}
      </Field>
      <Field
        id={`${id}-text`}
        label={t('campaigns.write.letter')}
        hint={t('campaigns.write.letterHint')}
        error={errors.text}
      >
        {(p) => (
          <textarea
            {...p}
            rows={12}
            value={text}
            onChange={(e) => {
              setTouched(true);
              setWarned(null);
              setText(e.target.value);
            }}
          />
        )}
      </Field>
      {warned && (
        <div className="notice notice-warning" role="alert">
          <p>{t('campaigns.write.unchangedWarning')}</p>
        </div>
      )}
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {busy
          ? t('campaigns.write.sending')
          : warned
            ? t('campaigns.write.sendAnyway')
            : route === 'email'
              ? t('campaigns.write.sendEmail')
              : t('campaigns.write.prepare')}
      </button>
    </form>
  );
}
