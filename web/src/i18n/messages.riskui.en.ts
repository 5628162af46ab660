// English messages of one part of the app, merged into messages.en.ts (same key rules as there).
export const riskExtraMessages = {} as const;
