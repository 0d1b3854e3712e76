/** The files of a drop or paste (pasted screenshots come as items, not files). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  if (data.files.length > 0) return [...data.files];
  return [...data.items].flatMap((item) => {
    const file = item.kind === 'file' ? item.getAsFile() : null;
    return file ? [file] : [];
  });
}

/** True when a drag carries files (not text being moved). */
export const dragHasFiles = (e: DragEvent): boolean =>
  e.dataTransfer?.types.includes('Files') ?? false;
