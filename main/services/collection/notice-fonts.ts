/**
 * Where the A4 notice finds a font with Chinese glyphs, first found wins: one bundled under
 * resources/fonts/ (a packaged build ships it), Debian's fonts-wqy-microhei and Noto CJK, then the
 * Windows system fonts a counter PC has. @fontsource/noto-sans-sc is split into web subsets, so it
 * serves the screens, not a PDF.
 */
import path from 'node:path';
import type { NoticeFont } from './notice-pdf.js';

export function noticeFonts(resourcesDir: string): NoticeFont[] {
  return [
    { path: path.join(resourcesDir, 'fonts', 'notice-cjk.ttf') },
    { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
    { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
    { path: 'C:\\Windows\\Fonts\\msyh.ttc', family: 'MicrosoftYaHei' },
    { path: 'C:\\Windows\\Fonts\\simsun.ttc', family: 'SimSun' },
  ];
}
