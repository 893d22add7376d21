import { markdownToText, renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
  it('when given ordinary Markdown, then it renders headings, emphasis, lists and links', () => {
    const html = renderMarkdown(
      '# Why\n\nWe want **your** views:\n\n- one\n- two\n\n[Read more](https://example.ca/a)',
    );
    expect(html).toContain('<h2>Why</h2>');
    expect(html).toContain('<strong>your</strong>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<a href="https://example.ca/a" rel="nofollow noopener">Read more</a>');
  });

  it('when the source holds raw HTML, then it is shown as text, not interpreted', () => {
    const html = renderMarkdown('Hello <script>alert(1)</script> and <img src=x onerror="alert(2)">');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=');
  });

  it('when a block of HTML is given, then no element or event handler survives', () => {
    const html = renderMarkdown(
      '<div onclick="steal()"><iframe src="https://evil.example"></iframe></div>\n\ntext',
    );
    expect(html).not.toMatch(/<div|<iframe/i);
    expect(html).toContain('<p>&lt;div onclick=');
  });

  it.each([
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD4=)',
    '[click](vbscript:msgbox(1))',
    '<javascript:alert(1)>',
  ])('when a link uses a dangerous scheme (%s), then the link has no href', (source) => {
    const html = renderMarkdown(source);
    expect(html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
  });

  it('when an image is given, then it is dropped (no tracking pixels)', () => {
    expect(renderMarkdown('![x](https://tracker.example/p.gif)')).not.toContain('<img');
  });

  it('when a link title carries quotes, then the attribute stays closed', () => {
    const html = renderMarkdown('[a](https://example.ca "x\\" onmouseover=\\"alert(1)")');
    expect(html).not.toMatch(/\sonmouseover="/);
    expect(html).toContain('title="x&quot; onmouseover=&quot;alert(1)"');
  });
});

describe('markdownToText', () => {
  it('when given Markdown with markup, then only the words remain', () => {
    expect(markdownToText('## Title\n\nSome **bold** & <b>raw</b>')).toBe('Title\nSome bold & <b>raw</b>');
  });
});
