import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Raw HTML inside Markdown is shown as text, never interpreted: officers write Markdown, and a pasted
 * `<script>` or `<img onerror>` must read as what it is.
 */
const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token) {
      const text = escapeHtml(token.text);
      return 'block' in token && token.block ? `<p>${text.trim()}</p>\n` : text;
    },
  },
});

/** The allow-list: structure and emphasis only. No images (tracking pixels), no styles, no scripts, no forms. */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'], th: ['scope'], td: [] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page's own h1 is the consultation title; Markdown headings start one level below.
    h1: 'h2',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
    th: (tagName, attribs) => ({ tagName, attribs: { ...attribs, scope: 'col' } }),
  },
};

/** Markdown (as officers write it) to HTML that is safe to output raw in a page or an email. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source ?? '', { async: false });
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

/** Plain text (for feeds' summaries, emails' text parts): Markdown rendered, then every tag removed. */
export function markdownToText(source: string): string {
  const html = renderMarkdown(source);
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
