// Runes mode everywhere: no component may fall back to Svelte 4's implicit reactivity.
export default {
  compilerOptions: {
    runes: true,
  },
};
