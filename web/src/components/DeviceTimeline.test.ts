import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '@lwm2m-console/shared';
import DeviceTimeline from './DeviceTimeline.vue';
import { formatTimestamp } from '../lib/format.js';

describe('device timeline', () => {
  it("writes a Disable's expected return in the page's local time, not the bridge's UTC wording", () => {
    const back = new Date(2026, 10, 30, 12, 0, 3).getTime();
    const entries: TimelineEntry[] = [
      { at: back - 86_400_000, kind: 'ended', registrationId: 'AAAAAAAAAAA', reason: 'disabled', expectedBackAt: back, detail: `disabled, expected back at ${new Date(back).toISOString()}` },
      { at: back - 90_000_000, kind: 'updated', registrationId: 'AAAAAAAAAAA', detail: 'lifetime 120 s' },
    ];
    const text = mount(DeviceTimeline, { props: { entries } }).get('[data-test="timeline"]').text();
    expect(text).toContain(`disabled, expected back at ${formatTimestamp(back)}`);
    expect(text).not.toContain(new Date(back).toISOString());
    expect(text).toContain('lifetime 120 s');
  });
});
