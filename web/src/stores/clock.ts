import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref } from 'vue';

/**
 * The one shared 1 s tick that drives every countdown on screen: one timer for the whole
 * app instead of one per row.
 */
export const useClockStore = defineStore('clock', () => {
  const now = ref(Date.now());
  /** Server time minus browser time, from hello/snapshot, so countdowns use the bridge's clock. */
  const skewMs = ref(0);
  let timer: ReturnType<typeof setInterval> | undefined;

  function start(): void {
    if (timer !== undefined) return;
    timer = setInterval(() => {
      now.value = Date.now() + skewMs.value;
    }, 1000);
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function observeServerTime(serverTime: number): void {
    skewMs.value = serverTime - Date.now();
    now.value = serverTime;
  }

  /** Sets the time directly (tests). */
  function set(ms: number): void {
    now.value = ms;
  }

  return { now, skewMs, start, stop, observeServerTime, set };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useClockStore, import.meta.hot));
