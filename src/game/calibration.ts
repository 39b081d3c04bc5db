/**
 * The prompt's token estimate (about four characters a token) calibrated by the `prompt_tokens`
 * the endpoint reports: per model, the ratio of the real count to the estimate, as an exponential
 * moving average over the narrations seen.
 */

/** The weight of the newest narration in the average. */
export const CALIBRATION_WEIGHT = 0.3;
/** Ratios outside this range are taken as a server's mistake, not a tokenizer's. */
const MIN_RATIO = 0.2;
const MAX_RATIO = 5;

export interface ModelCalibration {
  /** Real tokens per estimated token. */
  ratio: number;
  /** Narrations it was measured on. */
  turns: number;
}

/** How the numbers shown were made. */
export interface EstimateBasis {
  calibrated: boolean;
  model: string;
  /** 1 when not calibrated. */
  ratio: number;
  turns: number;
  /** "calibrated on 3 turns of grok-4" or "estimated (about 4 characters a token)". */
  label: string;
}

export class TokenCalibration {
  private readonly models = new Map<string, ModelCalibration>();

  /** One narration: its prompt's estimate and the endpoint's count. A count of 0 (not reported) is ignored. */
  record(model: string, estimate: number, actual: number): void {
    if (!(estimate > 0) || !(actual > 0)) return;
    const ratio = actual / estimate;
    if (ratio < MIN_RATIO || ratio > MAX_RATIO) return;
    const known = this.models.get(model);
    this.models.set(model, known ? { ratio: known.ratio + CALIBRATION_WEIGHT * (ratio - known.ratio), turns: known.turns + 1 } : { ratio, turns: 1 });
  }

  of(model: string): ModelCalibration | null {
    return this.models.get(model) ?? null;
  }

  basis(model: string): EstimateBasis {
    const known = this.models.get(model);
    if (!known) return { calibrated: false, model, ratio: 1, turns: 0, label: 'estimated (about 4 characters a token)' };
    return {
      calibrated: true,
      model,
      ratio: known.ratio,
      turns: known.turns,
      label: `calibrated on ${known.turns} ${known.turns === 1 ? 'turn' : 'turns'} of ${model}`,
    };
  }
}

/** An estimate in the endpoint's tokens. */
export function calibrated(tokens: number, basis: EstimateBasis): number {
  return Math.round(tokens * basis.ratio);
}
