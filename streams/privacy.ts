// Personal data never leaves ingest in clear (CONTRACT "Personal data"): names and phones are masked, the
// street address is dropped (province and city stay). Applied before anything is stored.

/** 张伟 → 张**: the family name and a fixed mask, so the length of the given name does not leak either. */
export function maskName(name: string): string {
  const first = Array.from(name.trim())[0];
  return first ? `${first}**` : '';
}

/** 13812345678 → 138****5678; short or odd numbers keep nothing. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
}

/** Masks the buyer fields of an event in place. */
export function maskBuyer(event: Record<string, unknown>): void {
  if (typeof event.buyer_name === 'string') event.buyer_name = maskName(event.buyer_name);
  if (typeof event.buyer_phone === 'string') event.buyer_phone = maskPhone(event.buyer_phone);
  delete event.address;
}
