// Evidence uploads with progress: XMLHttpRequest (fetch cannot report upload progress everywhere), multipart
// with the title and incident before the file (the server reads fields that come before the file part),
// the session's CSRF header, and problem+json errors turned into ApiError like every other request.
import { API_BASE, ApiError, getCsrfToken, NetworkError } from '../api/client.ts';
import type { Problem, UploadResult } from '../api/types.ts';

export interface UploadInput {
  slug: string;
  file: File;
  title?: string;
  incidentId?: string;
}

export interface UploadHandle {
  done: Promise<UploadResult>;
  abort: () => void;
}

/** Progress: bytes sent of total; `sent === total` means the server is now sealing the file. */
export type ProgressListener = (sent: number, total: number) => void;

export class UploadAborted extends Error {
  constructor() {
    super('upload cancelled');
    this.name = 'UploadAborted';
  }
}

function parseProblem(xhr: XMLHttpRequest): Problem | null {
  const type = xhr.getResponseHeader('content-type') ?? '';
  if (!type.includes('json')) return null;
  try {
    const body: unknown = JSON.parse(xhr.responseText);
    return body && typeof body === 'object' ? (body as Problem) : null;
  } catch {
    return null;
  }
}

export function uploadItem(input: UploadInput, onProgress: ProgressListener): UploadHandle {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  if (input.title) form.append('title', input.title);
  if (input.incidentId) form.append('incident', input.incidentId);
  form.append('file', input.file, input.file.name);

  const done = new Promise<UploadResult>((resolve, reject) => {
    xhr.open('POST', `${API_BASE}/situations/${encodeURIComponent(input.slug)}/items`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.upload.onload = () => onProgress(input.file.size, input.file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as UploadResult);
        } catch {
          reject(new NetworkError('Unreadable answer to the upload'));
        }
        return;
      }
      const problem = parseProblem(xhr);
      reject(new ApiError(xhr.status, problem, problem?.detail ?? problem?.title ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new NetworkError('The upload could not reach the server'));
    xhr.onabort = () => reject(new UploadAborted());
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
