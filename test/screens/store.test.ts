// The reducer is pure: a few facts about lists, routes and typing that the screens rely on.
import { describe, expect, it } from 'vitest';
import { frameRate } from '../../src/app/run.js';
import { currentRoute, initialState, moveList, reducer, visibleTop } from '../../src/app/store.js';

describe('store', () => {
  it('keeps the cursor inside the list and on screen', () => {
    expect(moveList({ cursor: 0, top: 0 }, -1, 10, 4)).toEqual({ cursor: 0, top: 0 });
    expect(moveList({ cursor: 3, top: 0 }, 1, 10, 4)).toEqual({ cursor: 4, top: 1 });
    expect(moveList({ cursor: 0, top: 0 }, 'bottom', 10, 4)).toEqual({ cursor: 9, top: 6 });
    expect(moveList({ cursor: 9, top: 6 }, 'page-up', 10, 4)).toEqual({ cursor: 6, top: 6 });
    expect(moveList({ cursor: 5, top: 5 }, 1, 0, 4)).toEqual({ cursor: 0, top: 0 });
    // after a resize the render-time window still shows the cursor
    expect(visibleTop({ cursor: 9, top: 0 }, 10, 3)).toBe(7);
  });

  it('typing edits the field with the keyboard and resets that list', () => {
    let s = reducer(initialState(), { type: 'move', list: 'library', by: 3, count: 10, height: 5 });
    s = reducer(s, { type: 'type-start', field: 'library' });
    s = reducer(s, { type: 'text-append', text: 'bu' });
    s = reducer(s, { type: 'text-append', text: 's\r' });
    expect(s.inputs.library).toBe('bus');
    expect(s.lists.library).toEqual({ cursor: 0, top: 0 });
    s = reducer(s, { type: 'text-delete' });
    expect(s.inputs.library).toBe('bu');
    s = reducer(s, { type: 'type-stop', clear: true });
    expect(s.inputs.library).toBe('');
    expect(s.typing).toBeUndefined();
  });

  it('routes: navigate and back; tabs sit on the start screen; dialogs are state', () => {
    let s = reducer(initialState(), { type: 'navigate', route: { screen: 'inspect', uri: 'a/b:c' } });
    expect(currentRoute(s).screen).toBe('inspect');
    s = reducer(s, { type: 'go', route: { screen: 'transfers' } });
    expect(s.stack.map((r) => r.screen)).toEqual(['library', 'transfers']);
    s = reducer(s, { type: 'back' });
    s = reducer(s, { type: 'back' });
    expect(s.stack.map((r) => r.screen)).toEqual(['library']);
    s = reducer(s, { type: 'dialog', dialog: { kind: 'confirm', title: 't', lines: [], action: { kind: 'quit' } } });
    expect(s.dialog?.title).toBe('t');
    s = reducer(s, { type: 'navigate', route: { screen: 'endpoints' } });
    expect(s.dialog).toBeUndefined();
    expect(s.typing).toBe('endpoints');
  });

  it('a browser come back to from Help is as it was left; a folder entered afresh starts at its top', () => {
    let s = reducer(initialState(), { type: 'navigate', route: { screen: 'browser', backend: 'dropbox', location: '/lab' } });
    s = reducer(s, { type: 'move', list: 'browser.remote', by: 1, count: 2, height: 10 });
    s = reducer(s, { type: 'mark', list: 'browser.remote', key: '/lab/a.sif' });
    s = reducer(s, { type: 'text-set', field: 'browser.remote', value: 'sif' });
    s = reducer(s, { type: 'move', list: 'browser.remote', by: 1, count: 2, height: 10 });
    s = reducer(s, { type: 'navigate', route: { screen: 'help' } });
    s = reducer(s, { type: 'back' });
    expect(currentRoute(s)).toEqual({ screen: 'browser', backend: 'dropbox', location: '/lab' });
    expect(s.lists['browser.remote']?.cursor).toBe(1);
    expect(s.marks['browser.remote']).toEqual(['/lab/a.sif']);
    expect(s.inputs['browser.remote']).toBe('sif');
    // A glance at Transfers from the browser, and back.
    s = reducer(s, { type: 'go', route: { screen: 'transfers' } });
    expect(currentRoute(s).screen).toBe('transfers');
    s = reducer(s, { type: 'back' });
    expect(currentRoute(s).screen).toBe('browser');
    expect(s.lists['browser.remote']?.cursor).toBe(1);
    s = reducer(s, { type: 'browse', location: '/lab/sub' });
    expect(s.lists['browser.remote']?.cursor).toBe(0);
    expect(s.marks['browser.remote']).toEqual([]);
    expect(s.inputs['browser.remote']).toBe('');
  });

  it('draws fewer frames over SSH', () => {
    expect(frameRate({ SSH_CONNECTION: '1.2.3.4 5 6.7.8.9 22' })).toBeLessThan(frameRate({}));
  });
});
