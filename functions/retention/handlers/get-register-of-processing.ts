import { httpHandler } from '#shared/http/handler.ts';
import { getRegisterOfProcessing as operation } from '../contract.ts';
import { registerOfProcessing } from '../register.ts';

const register = registerOfProcessing();

export const handler = httpHandler(operation, async () => ({ status: 200, body: register }));
