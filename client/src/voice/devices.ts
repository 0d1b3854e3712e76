/** A microphone, camera or speaker the user may pick. */
export interface DeviceOption {
  id: string;
  label: string;
  kind: 'audioinput' | 'videoinput' | 'audiooutput';
}

/** Lists devices; labels are empty until the user granted a permission once. */
export async function listDevices(): Promise<DeviceOption[]> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  let n = 0;
  return devices
    .filter((d) => d.kind === 'audioinput' || d.kind === 'videoinput' || d.kind === 'audiooutput')
    .map((d) => ({
      id: d.deviceId,
      label: d.label || `${d.kind === 'audiooutput' ? 'Speaker' : 'Device'} ${++n}`,
      kind: d.kind,
    }));
}

/** Opens the microphone (a chosen one, else the default) with voice processing on. */
export async function openMicrophone(deviceId?: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    },
  });
  const track = stream.getAudioTracks()[0];
  if (!track) throw new Error('No microphone track');
  return track;
}

/** Opens the camera at a modest size: many viewers, one upload. */
export async function openCamera(deviceId?: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      width: { ideal: 640 },
      height: { ideal: 360 },
      frameRate: { ideal: 24 },
    },
  });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new Error('No camera track');
  return track;
}

/** Asks the browser for a screen, window or tab. */
export async function openScreen(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getDisplayMedia({
    video: { frameRate: { ideal: 15 } },
    audio: false,
  });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new Error('No screen track');
  // Text on a shared screen should stay sharp rather than move smoothly.
  track.contentHint = 'detail';
  return track;
}
