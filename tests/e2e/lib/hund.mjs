// Filling the Hundeanmeldung in the desk's window, for the specs that need a case of it: one labrador, up to
// the tax on the last step.

import { shot } from './app.mjs';
import { activate, button, choice, fill, fillAddress, heading, instance, press, select, squash } from './query.mjs';

/**
 * Waits for the step titled `title`; if it does not come, fails with what the window shows instead (its
 * headings and alerts) and a screenshot.
 */
async function reach(browser, title, timeout = 15_000) {
  await heading(browser, title)
    .waitForDisplayed({ timeout })
    .catch(async (e) => {
      const texts = async (xpath) => browser.$$(xpath).map((a) => a.getText());
      const alerts = await texts(`//*[@role='alert']`);
      const headings = await texts(`//h1|//h2|//h3`);
      const path = await shot(browser, `hund-not-reached-${Date.now()}`);
      throw new Error(
        `${e.message}; headings: ${JSON.stringify(headings)}; alerts: ${JSON.stringify(alerts)}; screenshot ${path}`,
      );
    });
}

/** Fills a Hundeanmeldung for one labrador from its first step up to the tax, and returns the tax shown. */
export async function registerDog(browser, owner, { phone } = {}) {
  await reach(browser, 'Halterin oder Halter', 30_000);
  await fill(browser, 'Vorname(n)', owner);
  await fill(browser, 'Familienname', 'Mustermann');
  await fill(browser, 'Geburtsdatum', '15.03.1985');
  await fillAddress(browser, { street: 'Amtshausstraße', houseNumber: '3', postcode: '32051', city: 'Herford' });
  if (phone) await fill(browser, 'Telefon (für Rückfragen)', phone);
  await activate(browser, button(browser, 'Weiter'));
  await reach(browser, 'Hunde');
  await press(browser, button(browser, 'Hund hinzufügen'));
  const dog = instance(browser, 'Hund 1');
  await dog.waitForDisplayed();
  await fill(browser, 'Name des Hundes', 'Bello', { within: dog });
  await select(browser, 'Rasse', 'Labrador Retriever', { within: dog });
  await choice(browser, 'Rüde', { within: dog }).click();
  await fill(browser, 'Geburtsdatum (Wurfdatum) des Hundes', '01.04.2022', { within: dog });
  await fill(browser, 'Gehalten seit', '15.06.2022', { within: dog });
  await activate(browser, button(browser, 'Weiter'));
  await reach(browser, 'Zahlung und Steuer');
  await choice(browser, 'Überweisung nach Erhalt des Bescheids', { group: 'Zahlungsart' }).click();
  return tax(browser);
}

/** The yearly tax on the last step, once it is shown. */
export async function tax(browser) {
  const amount = browser.$(`//section[h4[normalize-space(.)='Gebühren']]//dd[contains(@class,"amount")]`);
  await amount.waitForDisplayed({ timeoutMsg: 'no tax on the last step' });
  return squash(await amount.getText());
}
