import { afterEach, describe, expect, it } from 'vitest';
import { setClock, timeOfDay } from './format.ts';

describe('timeOfDay', () => {
  afterEach(() => setClock('system'));
  const afternoon = new Date(2026, 0, 5, 14, 5).toISOString();

  it('reads on a 24-hour clock when set', () => {
    setClock('24h');
    expect(timeOfDay(afternoon)).toMatch(/^14[:.]05$/);
  });

  it('reads on a 12-hour clock when set', () => {
    setClock('12h');
    expect(timeOfDay(afternoon)).toMatch(/^0?2[:.]05\s?PM$/i);
  });

  it('follows the setting back and forth (formatters are kept per clock)', () => {
    setClock('12h');
    expect(timeOfDay(afternoon)).toMatch(/PM$/i);
    setClock('24h');
    expect(timeOfDay(afternoon)).toMatch(/^14[:.]05$/);
  });
});
