import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { h } from 'vue';
import { virtualWindow } from '../lib/virtual-window.js';
import VirtualList from './VirtualList.vue';

describe('virtual list', () => {
  it('computes the visible window with overscan, clamped to the list', () => {
    expect(virtualWindow(100_000, 28, 0, 560, 5)).toEqual({ start: 0, end: 26, offset: 0, totalHeight: 2_800_000 });
    expect(virtualWindow(100_000, 28, 28 * 50_000, 560, 5)).toMatchObject({ start: 49_995, end: 50_026, offset: 49_995 * 28 });
    expect(virtualWindow(10, 28, 10_000, 560, 5)).toMatchObject({ start: 10, end: 10 });
  });

  it('renders only the rows in view out of 100,000, and follows scrolling', async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `row-${i}`);
    const wrapper = mount(VirtualList, {
      props: { items, rowHeight: 20, itemKey: (s: unknown) => String(s), overscan: 5, fallbackHeight: 200 },
      slots: { default: ({ item }: { item: unknown }) => h('div', { class: 'r' }, String(item)) },
    });
    let rows = wrapper.findAll('.r');
    expect(rows.length).toBe(16); // 10 in view + 1 partial + 5 below
    expect(rows[0]!.text()).toBe('row-0');
    expect(wrapper.find('.vlist-spacer').attributes('style')).toContain('height: 2000000px');

    const viewport = wrapper.find('.vlist').element as HTMLElement;
    viewport.scrollTop = 20 * 70_000;
    await wrapper.find('.vlist').trigger('scroll');
    rows = wrapper.findAll('.r');
    expect(rows.length).toBe(21);
    expect(rows[0]!.text()).toBe('row-69995');
    expect(rows.map((r) => r.text())).toContain('row-70000');
  });
});
