// The Advisor's HTTP API as the widget calls it: JSON over fetch, never with cookies, each request given up
// after the time-out; abort() stops every request in flight (the element left the page, or its API changed).

const failure = (kind, message) => Object.assign(new Error(message), { kind });

class Client {
  constructor() {
    this.base = "";
    this.timeoutMs = 20000;
    this.inFlight = new Set();
  }

  // The reply's JSON; throws an Error with `status` (an HTTP error) or `kind`: "timeout", "stopped" (abort()),
  // "reply" (not JSON), else the network's own error.
  async request(path, init = {}) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), controller.abort()), this.timeoutMs);
    this.inFlight.add(controller);
    try {
      const response = await fetch(this.base + path, { ...init, credentials: "omit", mode: "cors", signal: controller.signal });
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
      try {
        return await response.json();
      } catch {
        throw failure("reply", "unreadable reply");
      }
    } catch (error) {
      if (timedOut) throw failure("timeout", "timeout");
      throw controller.signal.aborted ? failure("stopped", "stopped") : error;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  post(path, body) {
    return this.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }

  abort() {
    this.inFlight.forEach((controller) => controller.abort());
  }
}

// What to tell the applicant when a request failed.
function describeError(error) {
  if (error.kind === "timeout") return "The Advisor is taking too long to answer.";
  if (error.kind === "stopped") return "The question was stopped before the Advisor answered.";
  if (error.status === 503) return "The Advisor is starting up or briefly unavailable.";
  if (error.status === 429) return "Too many questions at once. Please wait a moment.";
  if (error.status) return `The Advisor could not answer (error ${error.status}).`;
  if (error.kind === "reply") return "The Advisor sent a reply this page cannot read.";
  return "The Advisor cannot be reached. Check your connection.";
}
