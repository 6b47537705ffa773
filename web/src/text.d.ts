// The bundler (web/build.js) loads the shipped C/CUDA headers as text.
declare module '*.h' {
  const text: string;
  export default text;
}
