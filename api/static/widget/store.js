// What the widget keeps for the browser tab: one JSON object in sessionStorage per API and guide
// ({open, items} today; a tab may keep a field of its own). Never drafts, never cookies.

class Store {
  constructor(key) {
    this.key = key;
    this.state = {};
    try {
      const saved = JSON.parse(sessionStorage.getItem(key));
      if (saved && typeof saved === "object" && !Array.isArray(saved)) this.state = saved;
    } catch {
      // Unreadable or unavailable: start afresh.
    }
  }

  get(name) {
    return this.state[name];
  }

  set(name, value) {
    this.state[name] = value;
    try {
      sessionStorage.setItem(this.key, JSON.stringify(this.state));
    } catch {
      // Storage may be disabled (private mode, sandboxed frames): the chat still works, it just is not kept.
    }
  }
}
