// Receipts: opaque to consumers, "<destination uid>.<subscription uid>.<seq>.<attempt>" in base 36
// inside. Uids are never reused in an engine's lifetime, so a receipt of a deleted and recreated
// destination or subscription is unknown, and the attempt tells a stale receipt from the current one.

export interface ReceiptParts {
  readonly destinationUid: number;
  readonly subscriptionUid: number;
  readonly seq: number;
  readonly attempt: number;
}

const PART = /^[0-9a-z]{1,10}$/;
const MAX_RECEIPT_CHARS = 64;

export function formatReceipt(parts: ReceiptParts): string {
  return `${parts.destinationUid.toString(36)}.${parts.subscriptionUid.toString(36)}.${parts.seq.toString(36)}.${parts.attempt.toString(36)}`;
}

/** Undefined for anything that is not a well-formed receipt. */
export function parseReceipt(receipt: string): ReceiptParts | undefined {
  if (typeof receipt !== 'string' || receipt.length > MAX_RECEIPT_CHARS) return undefined;
  const parts = receipt.split('.');
  if (parts.length !== 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    if (!PART.test(part)) return undefined;
    numbers.push(Number.parseInt(part, 36));
  }
  const [destinationUid, subscriptionUid, seq, attempt] = numbers as [number, number, number, number];
  if (attempt < 1) return undefined;
  return { destinationUid, subscriptionUid, seq, attempt };
}
