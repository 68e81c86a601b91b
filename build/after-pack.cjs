/**
 * electron-builder afterPack hook: flips Electron's fuses in the packed executable before it is signed,
 * so a shipped Lanline cannot be turned into a plain Node (RunAsNode, NODE_OPTIONS, --inspect off) and
 * loads only its own, integrity-checked app.asar, and file:// pages get no more than a browser gives them.
 */
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse settings, exported for test/unit/packaging.test.ts. */
const fuses = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
  // The renderer is served from app:// (electron/main/protocol.ts); file:// pages get no extra powers.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** Where the Electron executable sits in the packed app of each platform. */
function executableOf(context) {
  const name = context.packager.appInfo.productFilename;
  switch (context.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(context.appOutDir, `${name}.app`, 'Contents', 'MacOS', name);
    case 'win32':
      return path.join(context.appOutDir, `${name}.exe`);
    default:
      return path.join(context.appOutDir, context.packager.executableName);
  }
}

async function afterPack(context) {
  await flipFuses(executableOf(context), {
    version: FuseVersion.V1,
    // The universal macOS build is signed after this hook; an ad-hoc signature keeps arm64 slices runnable meanwhile.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch !== undefined,
    ...fuses,
  });
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuses = fuses;
module.exports.executableOf = executableOf;
