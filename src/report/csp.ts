/**
 * Content-Security-Policy of Faultline's pages: a report is one self-contained file, so it may
 * run its own inline scripts and styles and show data: images, and nothing else: no request
 * leaves the page. report.html carries it in a <meta> element; `serve` sends it as a header on
 * every response, also allowing the results browser's forms and forbidding framing.
 */
export const PAGE_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'";

/** The policy inside report.html (form-action and frame-ancestors have no effect in <meta>). */
export const REPORT_POLICY = `${PAGE_POLICY}; form-action 'none'`;

/** The policy header of every response of `faultline serve`. */
export const SERVED_POLICY = `${PAGE_POLICY}; form-action 'self'; frame-ancestors 'none'`;
