/**
 * Preload (CommonJS, required by sandbox: true): exposes exactly one object, `window.griddesk`,
 * with a generic invoke/subscribe pair. No Node or Electron API reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on('event', (_e: IpcRendererEvent, name: string, payload: unknown) => {
  listeners.get(name)?.forEach((l) => l(payload));
});

contextBridge.exposeInMainWorld('griddesk', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('rpc', method, params),
  subscribe: (event: string, listener: Listener) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  },
});
