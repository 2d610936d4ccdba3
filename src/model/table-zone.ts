/**
 * A luxon Zone whose offsets come from our memoised transition table instead of an Intl call per
 * lookup (luxon's IANAZone formats a date through Intl on every offset() — the largest single cost
 * of building an invite). It reports type "iana" and the zone's IANA name, so luxon and
 * ical-generator treat it as that zone (`setZone('Europe/Berlin')` is then a no-op).
 */
import { IANAZone, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from 'luxon';
import { zoneOffsetAt } from './zone-transitions.ts';

class TableZone extends Zone {
  readonly #name: string;
  readonly #iana: IANAZone;

  constructor(name: string) {
    super();
    this.#name = name;
    this.#iana = IANAZone.create(name);
  }

  override get type(): string {
    return 'iana';
  }

  override get name(): string {
    return this.#name;
  }

  get ianaName(): string {
    return this.#name;
  }

  override get isUniversal(): boolean {
    return false;
  }

  override get isValid(): boolean {
    return true;
  }

  override offset(ts: number): number {
    return zoneOffsetAt(this.#name, ts) / 60;
  }

  override offsetName(ts: number, options: ZoneOffsetOptions): string | null {
    return this.#iana.offsetName(ts, options);
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return this.#iana.formatOffset(ts, format);
  }

  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === this.#name;
  }
}

const zones = new Map<string, Zone>();

/** The fast zone for a canonical IANA name (validated by the caller); UTC stays luxon's own. */
export function tableZone(name: string): Zone {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = new TableZone(name);
    zones.set(name, zone);
  }
  return zone;
}
