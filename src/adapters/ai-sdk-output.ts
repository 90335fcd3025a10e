/**
 * Tool results in the AI SDK's tool result output forms of `ai` 5, 6 and 7 (plain data: nothing imports `ai` here),
 * for `mcptool/ai-sdk` and for frameworks built on the AI SDK (Mastra).
 */
import type { MCPToolResult } from '../mcp/result.ts';
import { modelView } from './common.ts';

/** A media part of a tool output, in the form each `ai` major takes. */
export type AISDKMediaPart =
  | {
      /** `ai` 5's media part. */
      type: 'media';
      /** The bytes, base64-encoded. */
      data: string;
      /** The IANA media type, e.g. `image/png`. */
      mediaType: string;
    }
  | {
      /** `ai` 6's image or file part. */
      type: 'image-data' | 'file-data';
      /** The bytes, base64-encoded. */
      data: string;
      /** The IANA media type, e.g. `image/png`. */
      mediaType: string;
    }
  | {
      /** `ai` 7's file part. */
      type: 'file';
      /** The IANA media type, e.g. `image/png`. */
      mediaType: string;
      /** The bytes, tagged as inline data. */
      data: {
        /** Inline data (rather than a URL). */
        type: 'data';
        /** The bytes, base64-encoded. */
        data: string;
      };
    };

/** What the model sees of a tool result (the AI SDK's tool result output). */
export type AISDKToolOutput =
  | {
      /** A result of text only. */
      type: 'text';
      /** The result's text (`resultToText()`). */
      value: string;
    }
  | {
      /** A result with `isError`. */
      type: 'error-text';
      /** The error's text. */
      value: string;
    }
  | {
      /** A result with images or audio. */
      type: 'content';
      /** Text and media parts, in the result's order. */
      value: (
        | {
            /** A text part. */
            type: 'text';
            /** Its text. */
            text: string;
          }
        | AISDKMediaPart
      )[];
    };

/**
 * The `ai` major whose media parts to produce: 5 (`media`), 6 (`image-data` / `file-data`; `media` is deprecated
 * there) or 7 (`file` with tagged data; the others are deprecated there).
 */
export type AISDKMajor = 5 | 6 | 7;

function mediaPart(kind: 'image' | 'audio', data: string, mediaType: string, major: AISDKMajor): AISDKMediaPart {
  if (major === 5) return { type: 'media', data, mediaType };
  if (major === 6) return { type: kind === 'image' ? 'image-data' : 'file-data', data, mediaType };
  return { type: 'file', mediaType, data: { type: 'data', data } };
}

/**
 * How an MCP result is shown to the model: `error-text` for a result with `isError`; `content` (text plus images
 * and audio as media parts of the given major's form) when there are images or audio; otherwise `text` via
 * `resultToText()`.
 */
export function aiSDKOutput(result: MCPToolResult, major: AISDKMajor): AISDKToolOutput {
  const view = modelView(result);
  if (view.isError) return { type: 'error-text', value: view.text };
  if (!view.parts) return { type: 'text', value: view.text };
  return {
    type: 'content',
    value: view.parts.map((part) =>
      part.type === 'media' ? mediaPart(part.kind, part.data, part.mediaType, major) : part,
    ),
  };
}
