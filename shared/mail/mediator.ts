/**
 * The consumer mediator the platform adheres to (Code de la consommation L612-1; L616-1: named to
 * a consumer whose complaint the professional could not settle). Configuration, not code: the CDK
 * context `mediatorName` and `mediatorAddress` (infra/config.ts) set it in AWS, and functions whose
 * catalogue entry says `mediator` receive it as MEDIATOR_NAME and MEDIATOR_ADDRESS
 * (functions/environment.ts). These defaults apply without context, and in the local cloud; the
 * register of processing asks the DPO to check them against the platform's adhesion.
 */
export interface MediatorSettings {
  readonly name: string;
  readonly address: string;
}

export const DEFAULT_MEDIATOR: MediatorSettings = {
  name: 'CM2C, Centre de la médiation de la consommation de conciliateurs de justice',
  address: '14 rue Saint-Jean, 75017 Paris (www.cm2c.net)',
};

export const MEDIATOR_NAME_ENV = 'MEDIATOR_NAME';
export const MEDIATOR_ADDRESS_ENV = 'MEDIATOR_ADDRESS';
