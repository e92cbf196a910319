// Every browser test runs under this fixture: it watches each page of each context the test
// opens (its own `page`, and `browser.newContext()` ones) and fails the test on a panic in the
// WASM, a trap (`unreachable`), a `RefCell` borrowed twice, or any uncaught page error. A test
// that clicks through a broken client must not pass because the DOM still looks right.
const base = require('@playwright/test');

const FATAL = /panicked at|unreachable|RuntimeError|already borrowed|already been disposed/;

function watch(context, problems) {
  const attach = (page) => {
    page.on('pageerror', (error) => problems.push(`pageerror on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && FATAL.test(message.text())) {
        problems.push(`console error on ${page.url()}: ${message.text()}`);
      }
    });
  };
  context.pages().forEach(attach);
  context.on('page', attach);
}

const test = base.test.extend({
  pageProblems: [async ({ browser, context }, use) => {
    const problems = [];
    watch(context, problems);
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...args) => {
      const created = await newContext(...args);
      watch(created, problems);
      return created;
    };
    try {
      await use(problems);
    } finally {
      browser.newContext = newContext;
    }
    base.expect(problems, 'no panic or page error in any page of this test').toEqual([]);
  }, { auto: true }],
});

module.exports = { ...base, test, expect: base.expect };
