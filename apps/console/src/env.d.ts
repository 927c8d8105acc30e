/// <reference types="vite/client" />

// Element Plus's global.d.ts declares its components but not the v-loading directive.
declare module 'vue' {
  interface GlobalDirectives {
    vLoading: typeof import('element-plus')['vLoading'];
  }
}
export {};
