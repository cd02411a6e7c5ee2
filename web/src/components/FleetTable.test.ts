import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { createConsoleRouter } from '../router.js';
import { useClockStore } from '../stores/clock.js';
import { useFleetStore } from '../stores/fleet.js';
import { delta, registered, snapshot, summary } from '../test/fixtures.js';
import FleetTable from './FleetTable.vue';

function mountTable() {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(FleetTable, { props: { fallbackHeight: 280 }, global: { plugins: [pinia, createConsoleRouter(createMemoryHistory())] } });
}

describe('fleet table', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('renders a row per visible registration with a live countdown from the shared clock', async () => {
    const wrapper = mountTable();
    const fleet = useFleetStore();
    const clock = useClockStore();
    clock.set(31_000);
    fleet.applySnapshotPart(snapshot(1, Array.from({ length: 5_000 }, (_, i) => summary(`dev-${String(i).padStart(4, '0')}`))));
    await flushPromises();
    const rows = wrapper.findAll('.fleet-body .fleet-row');
    expect(rows.length).toBeLessThan(30);
    expect(rows[0]!.attributes('data-endpoint')).toBe('dev-0000');
    expect(rows[0]!.find('[data-test="countdown"]').text()).toBe('30s');
    clock.set(41_000);
    await flushPromises();
    expect(wrapper.find('.fleet-body .fleet-row [data-test="countdown"]').text()).toBe('20s');
    expect(wrapper.find('.fleet-body .fleet-row').classes()).toContain('expiry-soon');
  });

  it('highlights a row when a delta changes it', async () => {
    const wrapper = mountTable();
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(1, [summary('a'), summary('b')]));
    await flushPromises();
    expect(wrapper.findAll('.is-fresh')).toHaveLength(0);
    fleet.applyDelta(delta(2, [{ kind: 'updated', at: 5, registration: summary('b', { lifetime: 120 }), changes: { lifetime: 120 } }]));
    await flushPromises();
    const fresh = wrapper.findAll('.is-fresh');
    expect(fresh.map((r) => r.attributes('data-endpoint'))).toEqual(['b']);
    fleet.applyDelta(delta(3, [registered(summary('c'))]));
    await flushPromises();
    expect(wrapper.findAll('.fleet-body .fleet-row').map((r) => r.attributes('data-endpoint'))).toEqual(['a', 'b', 'c']);
  });

  it('keeps the sortable header and says so when the search matches nothing', async () => {
    const wrapper = mountTable();
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(1, [summary('meter-1')]));
    fleet.query = 'valve';
    await flushPromises();
    expect(wrapper.find('[data-test="no-match"]').text()).toBe('No endpoint matches “valve”.');
    expect(wrapper.findAll('.head-cell')).toHaveLength(12);
  });
});
