// Reads a Chrome Trace Event file with Chrome DevTools' own trace engine
// (@paulirish/trace_engine, the Performance panel's parser) and prints, as JSON, what
// the engine found: its version, every thread (pid, tid, name) with the number of
// complete slices it holds and how many of them it placed in the thread's tree (the
// flame chart draws only those), the flows, and every error or warning it raised.
//
//   node read_trace.mjs TRACE.json
//
// Exit status: 0 when the engine parsed the file (whatever it found), 1 when it threw
// or the file could not be read, 2 on bad usage. Interleave's e2e test compares the
// output with the trace's own events.

import fs from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const kEngine = '@paulirish/trace_engine';
const kMaxDropped = 5; // slices left out of a tree, listed per thread

// The engine calls URL.parse (Node 20.18 and later) to find a page's origin; Debian 12
// ships Node 18. Same contract: a URL, or null when the text is not one.
function polyfillUrlParse() {
  if (typeof URL.parse !== 'function') {
    URL.parse = (url, base) => {
      try {
        return new URL(url, base);
      } catch {
        return null;
      }
    };
  }
}

// Everything the engine prints through the console is one of its complaints.
function captureConsole(sink) {
  for (const level of ['error', 'warn']) {
    console[level] = (...args) => {
      sink.push({level, message: args.map(a => (a instanceof Error ? a.message : String(a))).join(' ')});
    };
  }
}

function loadEvents(path) {
  const json = JSON.parse(fs.readFileSync(path, 'utf8'));
  const events = Array.isArray(json) ? json : json.traceEvents;
  if (!Array.isArray(events)) {
    throw new Error(`${path}: no traceEvents array`);
  }
  return events;
}

// A slice the engine left out of the tree, with the end of the slice before it as the
// engine computes it (ts + dur in double precision): a later end than this ts makes the
// engine treat the two as overlapping, not nested, and drop this one.
function describe(event, before) {
  const left = {ph: event.ph, name: event.name, ts: event.ts, dur: event.dur};
  if (before) {
    left.previous = {name: before.name, ts: before.ts, dur: before.dur, end: before.ts + before.dur};
  }
  return left;
}

// One thread as the flame chart sees it.
function summarize(thread) {
  const inTree = thread.tree ? thread.entryToNode : new Map();
  let slices = 0;
  let drawn = 0;
  let instants = 0;
  const dropped = [];
  let before = null;
  for (const entry of thread.entries) {
    if (entry.ph === 'X') {
      ++slices;
      if (inTree.has(entry)) {
        ++drawn;
      } else if (dropped.length < kMaxDropped) {
        dropped.push(describe(entry, before));
      }
      before = entry;
    } else if (entry.ph === 'i' || entry.ph === 'I') {
      ++instants;
    }
  }
  return {
    pid: thread.pid,
    tid: thread.tid,
    name: thread.name,
    slices,
    drawn,
    instants,
    depth: thread.tree ? thread.tree.maxDepth : 0,
    dropped,
  };
}

async function main() {
  const path = process.argv[2];
  if (!path || process.argv.length > 3) {
    process.stderr.write('usage: node read_trace.mjs TRACE.json\n');
    return 2;
  }
  const report = {engine: null, file: path, threads: [], named_threads: [], flows: 0, errors: []};
  const complaints = report.errors;
  try {
    report.engine = JSON.parse(fs.readFileSync(require.resolve(`${kEngine}/package.json`), 'utf8')).version;
    const {polyfillDOMRect} = await import(`${kEngine}/analyze-trace.mjs`);
    polyfillDOMRect(); // the engine expects a browser's DOMRect
    polyfillUrlParse();
    const Trace = await import(kEngine);
    const events = loadEvents(path);
    captureConsole(complaints);
    const model = Trace.TraceModel.Model.createWithAllHandlers();
    await model.parse(events);
    const parsed = model.parsedTrace();
    if (!parsed) {
      throw new Error('the engine returned no parsed trace');
    }
    const data = parsed.data;
    report.threads = Trace.Handlers.Threads.threadsInTrace(data).map(summarize);
    for (const [pid, threads] of data.Meta.threadsInProcess) {
      for (const [tid, event] of threads) {
        report.named_threads.push({pid, tid, name: event.args?.name ?? null});
      }
    }
    report.flows = data.Flows.flows.length;
    report.trace_is_generic = data.Meta.traceIsGeneric;
    report.bounds_us = {min: data.Meta.traceBounds.min, max: data.Meta.traceBounds.max};
  } catch (e) {
    complaints.push({level: 'exception', message: e instanceof Error ? e.stack ?? e.message : String(e)});
    process.stdout.write(JSON.stringify(report, null, 1) + '\n');
    return 1;
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  return 0;
}

process.exitCode = await main();
