// Waiting for the screen to catch up with the DOM.

/**
 * Resolves once what the DOM holds now has been painted: the second animation frame begins only after the
 * first one's rendering update is on the screen.
 */
export function painted(): Promise<void> {
  return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}
