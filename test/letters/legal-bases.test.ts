import { bodyBlocks } from '../../src/letters/build';

describe('legal bases at the head of the body', () => {
  it('open with "Căn cứ" and end with a semicolon unless the drafter already wrote them so', () => {
    const texts = bodyBlocks(['Công văn số 3377/UBND-VX ngày 24/7/2021 của UBND tỉnh', 'Căn cứ Luật Ban hành văn bản quy phạm pháp luật;', 'Thực hiện Chỉ thị số 05/CT-TTg'], 'Nội dung.').map((b) => (b.type === 'paragraph' ? b.text : ''));
    expect(texts).toEqual(['Căn cứ Công văn số 3377/UBND-VX ngày 24/7/2021 của UBND tỉnh;', 'Căn cứ Luật Ban hành văn bản quy phạm pháp luật;', 'Thực hiện Chỉ thị số 05/CT-TTg;', 'Nội dung.']);
  });
});
