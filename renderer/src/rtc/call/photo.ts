/**
 * Still photos of a call's video (the local camera or a participant): what the <video> shows now,
 * drawn at its natural size on a canvas and encoded as PNG. Saving sends the bytes to core in
 * pieces of PHOTO_PIECE bytes (contract `savePhoto`).
 */
export interface Photo {
  blob: Blob;
  width: number;
  height: number;
  takenAt: number;
}

export const PHOTO_PIECE = 512 * 1024;

export async function takePhoto(video: HTMLVideoElement): Promise<Photo> {
  const { videoWidth: width, videoHeight: height } = video;
  if (!width || !height) throw new Error('The video shows no picture yet.');
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw the photo.');
  context.drawImage(video, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The photo could not be encoded.');
  return { blob, width, height, takenAt: Date.now() };
}

/** The bytes of a photo in the pieces `savePhoto` takes. */
export async function* photoPieces(blob: Blob, size = PHOTO_PIECE): AsyncGenerator<{ data: Uint8Array; done: boolean }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  for (let offset = 0; offset < bytes.length || offset === 0; offset += size) {
    yield { data: bytes.subarray(offset, offset + size), done: offset + size >= bytes.length };
  }
}

/** `Bob 2024-05-01 14.03.07`: who and when, in a name every file system takes. */
export function photoName(subject: string, takenAt: number): string {
  const at = new Date(takenAt);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${subject} ${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}.${two(at.getMinutes())}.${two(at.getSeconds())}.png`;
}
