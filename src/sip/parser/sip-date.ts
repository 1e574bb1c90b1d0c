import { fail, ok, type Parsed } from './parsed.ts';

// RFC 3261 §20.17 / §25.1: SIP-date = rfc1123-date = wkday "," SP date1 SP time SP "GMT";
// date1 = 2DIGIT SP month SP 4DIGIT; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT. Only "GMT" is allowed
// (RFC 4475 §3.1.2.12). Fixed-width, anchored, no nested quantifiers: linear time.
const SIP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function parseSipDate(value: string): Parsed<Date> {
  const m = value.length <= 64 ? SIP_DATE.exec(value) : null;
  if (m === null) return fail('invalid Date (RFC 3261 §20.17 requires an RFC 1123 date in GMT)');
  const day = Number(m[2]);
  const month = MONTHS.indexOf(m[3]!);
  const year = Number(m[4]);
  const hh = Number(m[5]);
  const mm = Number(m[6]);
  const ss = Number(m[7]);
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return fail('invalid Date value');
  const date = new Date(Date.UTC(year, month, day, hh, mm, Math.min(ss, 59)));
  if (date.getUTCDate() !== day) return fail('invalid Date value');
  return ok(date);
}
