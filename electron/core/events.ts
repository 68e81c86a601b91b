import type { EventName, EventPayload } from '../contract.js';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/** Core services emit contract events here; each adapter forwards them to its renderer(s). */
export class EventHub {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(name) ?? []) listener(payload);
  }

  on<E extends EventName>(name: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Every event, for bindings that forward all of them. */
  onAny(names: readonly EventName[], listener: (name: EventName, payload: unknown) => void): () => void {
    const offs = names.map((name) => this.on(name, (payload) => listener(name, payload)));
    return () => offs.forEach((off) => off());
  }
}
