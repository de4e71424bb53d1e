export const TOPUP_CONFIG = Symbol('TOPUP_CONFIG');
