/**
 * `window.griddesk`: the Electron preload provides it; under the loopback host this adapter
 * builds the same object over the host's WebSocket. The rest of the renderer sees one bridge.
 */
import type { EventName, EventPayloads, GridDeskBridge, MethodName, ParamsOf, RpcResponse } from '../../main/contract/index.js';

declare global {
  interface Window {
    griddesk?: GridDeskBridge;
  }
}

const SECRET_KEY = 'griddesk.hostSecret';
const CALL_TIMEOUT_MS = 30_000;

function hostSecret(): string {
  const match = /(?:^#|&)k=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(SECRET_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(SECRET_KEY) ?? '';
}

function webSocketBridge(): GridDeskBridge {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc?k=${encodeURIComponent(hostSecret())}`;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, (r: RpcResponse) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  const offline = (): RpcResponse => ({ ok: false, error: { code: 'rpc.timeout', i18nKey: 'errors.rpc.timeout', details: {} } });

  const connect = (): Promise<WebSocket> => {
    if (opened && socket && socket.readyState <= WebSocket.OPEN) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('host connection failed'));
      ws.onclose = () => {
        for (const [, settle] of pending) settle(offline());
        pending.clear();
        socket = null;
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as { id?: number; event?: string; payload?: unknown } & RpcResponse;
        if (typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg);
          pending.delete(msg.id);
        } else if (typeof msg.event === 'string') {
          listeners.get(msg.event)?.forEach((l) => l(msg.payload));
        }
      };
    });
    return opened;
  };

  return {
    async invoke<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<RpcResponse<K>> {
      let ws: WebSocket;
      try {
        ws = await connect();
      } catch {
        return offline() as RpcResponse<K>;
      }
      const id = nextId++;
      return new Promise<RpcResponse<K>>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(offline() as RpcResponse<K>);
        }, CALL_TIMEOUT_MS);
        pending.set(id, (r) => {
          clearTimeout(timer);
          resolve(r as RpcResponse<K>);
        });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      void connect().catch(() => undefined);
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}

export const bridge: GridDeskBridge = window.griddesk ?? webSocketBridge();
