import type ExcelJS from 'exceljs';

/**
 * exceljs, loaded on first use: requiring it costs ~0.5 s of CPU, paid at every start (and by every test suite)
 * although only imports and exports ever read or write a spreadsheet.
 */
export async function loadExcelJs(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}
