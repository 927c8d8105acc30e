import JSZip from 'jszip';
import { AppError } from '../../platform/errors.js';

// Documents attached to notices and meeting records (issue 5: "Secretaries post notices with
// attachments"): PDF and the Office Open XML formats. The type is read from the bytes, never from
// the name. Refused: anything else (legacy .doc/.xls are OLE containers that carry macros; a damaged
// zip), Office files with macros or ActiveX controls, and PDFs with scripts, launch actions or
// embedded files.
// Documents are served as downloads (Content-Disposition: attachment), never shown inline.

export const DOCUMENT_TYPES = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;
export const DOCUMENT_EXTENSIONS = Object.values(DOCUMENT_TYPES);

const PDF_ACTIVE = /\/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b/;
const OOXML_MAIN: [string, DocumentType][] = [
  ['word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
];
const OOXML_ACTIVE = /(^|\/)(vbaProject\.bin|vbaData\.xml)$|(^|\/)activeX\//i;
const MAX_ENTRIES = 20_000;

const refuse = () => new AppError('FILE_DOCUMENT_ACTIVE');
const notAllowed = () => new AppError('FILE_DOCUMENT_TYPE', { allowed: DOCUMENT_EXTENSIONS.join(', ') });

/** The type of a document from its bytes; throws FILE_DOCUMENT_TYPE or FILE_DOCUMENT_REFUSED. */
export async function documentType(bytes: Buffer): Promise<DocumentType> {
  if (bytes.length >= 5 && bytes.toString('latin1', 0, 5) === '%PDF-') {
    // scripts and the like are named in the clear, or inside compressed object streams; the plain
    // names are refused here, and the file is only ever downloaded, never rendered by us
    if (PDF_ACTIVE.test(bytes.toString('latin1'))) throw refuse();
    return 'application/pdf';
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) {
    let zip: JSZip;
    try {
      // the central directory only: no entry is decompressed (no zip bomb can unfold here)
      zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
    } catch {
      throw notAllowed();
    }
    const names = Object.keys(zip.files);
    if (names.length > MAX_ENTRIES) throw notAllowed();
    if (!names.includes('[Content_Types].xml')) throw notAllowed();
    if (names.some((n) => OOXML_ACTIVE.test(n))) throw refuse();
    const main = OOXML_MAIN.find(([entry]) => names.includes(entry));
    if (!main) throw notAllowed();
    return main[1];
  }
  throw notAllowed();
}

/**
 * The name to show and to download under: the uploaded name without any path, control characters or
 * characters Windows refuses, at most 120 characters, ending in the type's extension.
 */
export function documentName(uploaded: string | undefined, type: DocumentType): string {
  const ext = DOCUMENT_TYPES[type];
  const base = (uploaded ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let name = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '').replace(/\s+/g, ' ').trim();
  name = name.replace(/\.[^.]*$/, '') || 'document';
  return `${[...name].slice(0, 120 - ext.length - 1).join('')}.${ext}`;
}
