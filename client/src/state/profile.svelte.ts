import type { Member } from '@echora/shared';
import type { ProfilePatch } from '@echora/shared/protocol/rest/profile';
import { apiFetch } from '../api/http.ts';
import { uploadFile } from '../uploads/upload.ts';

/** The profile editor's save: an optional new avatar (uploaded first), then the fields. */
export class ProfileEditing {
  saving = $state(false);
  /** Avatar upload progress, 0..1. */
  progress = $state(0);

  constructor(private readonly getToken: () => Promise<string | null>) {}

  /** The signed-in user's member row with its profile fields, from the server. */
  async load(): Promise<Member> {
    const token = await this.getToken();
    if (!token) throw new TypeError('Not signed in');
    return (await apiFetch<{ member: Member }>('/profile', { token })).member;
  }

  /** Saves; the member change then reaches every replica through the sync feed. */
  async save(patch: ProfilePatch, avatar: File | null): Promise<Member> {
    this.saving = true;
    try {
      const token = await this.getToken();
      if (!token) throw new TypeError('Not signed in');
      const body: ProfilePatch = { ...patch };
      if (avatar) {
        const uploaded = await uploadFile(avatar, avatar.name, token, (loaded, total) => {
          this.progress = total ? loaded / total : 0;
        });
        body.avatarUploadId = uploaded.id;
      }
      const { member } = await apiFetch<{ member: Member }>('/profile', {
        method: 'PATCH',
        body,
        token,
      });
      return member;
    } finally {
      this.saving = false;
      this.progress = 0;
    }
  }
}
