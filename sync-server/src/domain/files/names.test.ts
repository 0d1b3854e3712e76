import { describe, expect, it } from 'vitest';
import { contentDisposition, safeFileName, serveAs } from './names.ts';

describe('file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['/abs/path/a.txt', 'a.txt'],
    ['.htaccess', 'htaccess'],
    ['   ', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['a\u0000b\u001fc.txt', 'abc.txt'],
    ['in\u202egnp.exe', 'ingnp.exe'],
    ['what?<>:"|*.png', 'what.png'],
    ['résumé 2024.pdf', 'résumé 2024.pdf'],
  ])('%j becomes %j', (raw, expected) => {
    expect(safeFileName(raw)).toBe(expected);
  });

  it('shortens a long name but keeps its extension', () => {
    const name = safeFileName(`${'x'.repeat(500)}.jpeg`);
    expect(name).toHaveLength(180);
    expect(name.endsWith('.jpeg')).toBe(true);
  });

  it('puts an ASCII fallback and the UTF-8 name in Content-Disposition', () => {
    expect(contentDisposition('attachment', 'résumé "1".pdf')).toBe(
      `attachment; filename="r_sum_ _1_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.pdf`,
    );
  });

  it('serves only safe media inline; SVG, HTML, PDF and text as attachments', () => {
    for (const type of ['image/png', 'image/jpeg', 'video/mp4', 'audio/mpeg']) {
      expect(serveAs(type, 'f').disposition).toMatch(/^inline;/);
    }
    for (const type of [
      'image/svg+xml',
      'text/html',
      'application/pdf',
      'text/plain',
      'application/octet-stream',
    ]) {
      expect(serveAs(type, 'f').disposition).toMatch(/^attachment;/);
    }
  });
});
