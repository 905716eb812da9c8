// memlab depends on puppeteer, whose install downloads Chrome. The build machines cannot reach
// that download, and Oya never needs puppeteer's browser (memlab analyses snapshot files we take
// through the inspector). Skip it so `npm ci` works offline.
module.exports = { skipDownload: true };
